/**
 * `@rentio/core/testing`: test-only hooks, never imported by rentio itself. Installing a
 * {@link FaultPlan} makes every driver in this thread inject its seeded faults.
 * @example
 * ```ts
 * import { FaultPlan, setFaultPlan } from '@rentio/core/testing';
 * setFaultPlan(new FaultPlan(7, { rate: 0.1 }));
 * ```
 * @module
 */
export { FAULT_KINDS, FaultPlan, setFaultPlan, type FaultKind, type FaultOptions } from './faults.js';
