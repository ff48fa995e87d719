package dev.chassis.core;

/**
 * An exception that knows the problem a client should receive when it escapes a handler: a failed
 * downstream call, an open circuit, a rejected request. Chassis' error handling asks it instead of
 * answering a bare 500.
 */
public interface ProblemSource {
    /** The problem to answer with; never {@code null}, never carrying internals. */
    Problem toProblem();
}
