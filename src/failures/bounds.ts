/**
 * What failure rules may cost, so that no request, however it is written, holds the event loop for
 * long. Each bound is far above what a test suite uses (a request brings one or two rules; a suite
 * keeps a handful in force; names and URIs are tens of characters), and a request past one is
 * refused with 400 invalid_request naming it, before any rule is counted.
 */

/** Rules one request may bring, in x-dcr-mock-fail and ?__fail= together. */
export const MAX_REQUEST_RULES = 20;

/** Characters of x-dcr-mock-fail, and of ?__fail=, each: room for MAX_REQUEST_RULES rules that match. */
export const MAX_SPEC_LENGTH = 4096;

/** Rules in force at once from the control plane and the programmatic API. */
export const MAX_RUNTIME_RULES = 1000;

/**
 * The steps (Pattern.steps: the ways a pattern has to match a value) that the match conditions of
 * every rule in force may take on one request, plus MATCH_TEST_STEPS per value tested. The slowest
 * patterns accepted take V8 3 to 15 ns a step (the most on a pattern's first runs), so this keeps any
 * request to about a tenth of a second of matching. 20 rules with an unanchored `.*` pattern on 10
 * redirect URIs of 100 characters take about 3.4 million; a substring on the same, 40,000.
 */
export const MAX_MATCH_STEPS = 30_000_000;

/** What one test costs beyond its pattern's steps: the call and the cut of the value. */
export const MATCH_TEST_STEPS = 100;
