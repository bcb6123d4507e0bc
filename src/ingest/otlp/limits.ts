/**
 * How deeply attribute values (arrays and key-value lists inside each other) may nest. Real
 * instrumentation stays within a few levels; the bound keeps a hostile nesting off the stack.
 */
export const MAX_ANY_VALUE_DEPTH = 32;
