import type { UserWorkspaceConfig } from 'vitest/config';
export declare function projectPreset(dirname: string): UserWorkspaceConfig;
