import { rlimitInfinity } from './resources.js';

const infinityText = JSON.stringify(rlimitInfinity); // "18446744073709552000"
const infinityNumber = new RegExp(`([:\\[,]\\s*)${infinityText}(?=\\s*[,}\\]])`, 'g');

/**
 * config.json text for a runtime config. Like JSON.stringify, except that `rlimitInfinity`
 * (2^64, which JSON.stringify prints as 18446744073709552000, a value runc refuses as out of
 * range) is written as RLIM_INFINITY, 18446744073709551615. Only numbers are touched: a string
 * holding those digits is quoted and never matches.
 */
export function serializeRuntimeSpec(spec: unknown, indent?: number): string {
  return JSON.stringify(spec, null, indent).replace(infinityNumber, '$118446744073709551615');
}
