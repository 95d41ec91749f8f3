package io.emp.jobqueue.core.model;

import java.util.List;
import java.util.stream.Collectors;

/** Input was rejected; carries every problem found, not just the first. */
public final class ValidationException extends JobQueueException {
  private final List<Problem> problems;

  public ValidationException(List<Problem> problems) {
    super(Code.VALIDATION, problems.size() + " validation problem(s): "
        + problems.stream().map(p -> p.field() + ": " + p.message()).collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
