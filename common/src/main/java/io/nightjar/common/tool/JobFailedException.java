package io.nightjar.common.tool;

/**
 * An expected failure of a run (bad input above the threshold, accounting that does not balance, a MapReduce job
 * that failed). The tool prints its message as the one-line reason and exits non-zero.
 */
public class JobFailedException extends RuntimeException {
  public JobFailedException(String message) {
    super(message);
  }

  public JobFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
