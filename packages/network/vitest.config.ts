import { defineProject } from 'vitest/config';
import { projectPreset } from '@execdriver/testkit/vitest-preset';

export default defineProject(projectPreset(import.meta.dirname));
