package io.nightjar.common.tool;

/**
 * A command line that cannot run: options missing, out of range or contradicting each other. The tool prints the
 * reason as its one line on stderr and exits 2 (usage), not 1 (a failed run).
 */
public class UsageException extends JobFailedException {
  public UsageException(String message) {
    super(message);
  }
}
