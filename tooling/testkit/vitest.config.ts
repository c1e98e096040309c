import { defineProject } from 'vitest/config';
import { projectPreset } from './vitest-preset.js';

export default defineProject(projectPreset(import.meta.dirname));
