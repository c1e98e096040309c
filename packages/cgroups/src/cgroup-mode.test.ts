import type { CgroupMode as SpecCgroupMode } from '@execdriver/spec';
import { expectTypeOf, test } from 'vitest';
import type { CgroupMode } from './cgroup-mode.js';

test("CgroupMode is @execdriver/spec's CgroupMode (declared here so the package needs neither spec nor zod)", () => {
  expectTypeOf<CgroupMode>().toEqualTypeOf<SpecCgroupMode>();
});
