package dev.chassis.core.spi;

/** A step of a call: the method itself at the bottom, policies wrapped around it. */
@FunctionalInterface
public interface Invocation {
    /** Runs the call (or refuses it) and returns the method's result. */
    Object invoke(Call call) throws Exception;
}
