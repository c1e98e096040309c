import { describe, expect, it } from 'vitest';
import { filterArchitectures, parseSeccompArchitecture, seccompArchitectures, toOciArchitecture } from './architecture.js';

describe('parseSeccompArchitecture', () => {
  it.each([
    ['x64', 'x86_64'], // Node
    ['amd64', 'x86_64'], // Go
    ['x86_64', 'x86_64'], // uname -m
    ['SCMP_ARCH_X86_64', 'x86_64'],
    ['ia32', 'x86'],
    ['386', 'x86'],
    ['i686', 'x86'],
    ['arm64', 'aarch64'],
    ['aarch64', 'aarch64'],
    ['arm', 'arm'],
    ['ppc64', 'ppc64le'], // Node's ppc64 is little-endian
    ['ppc64le', 'ppc64le'],
    ['SCMP_ARCH_PPC64', 'ppc64'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64'],
    ['loong64', 'loongarch64'],
    ['mips64le', 'mipsel64'],
    ['mipsel', 'mipsel'],
    [' X64 ', 'x86_64'],
  ])('%s -> %s', (input, expected) => {
    expect(parseSeccompArchitecture(input)).toBe(expected);
  });

  it.each(['sparc64', '', 'SCMP_ARCH_X64', 'scmp_arch_amd64', 'constructor', '__proto__'])('does not know %j', (input) => {
    expect(parseSeccompArchitecture(input)).toBeUndefined();
  });
});

describe('filterArchitectures', () => {
  it.each([
    ['x86_64', ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']],
    ['aarch64', ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']],
    ['s390x', ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390']],
    ['mips64', ['SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32']],
    ['mipsel64n32', ['SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64']],
    ['ppc64le', ['SCMP_ARCH_PPC64LE']],
    ['riscv64', ['SCMP_ARCH_RISCV64']],
    ['x86', ['SCMP_ARCH_X86']],
  ] as const)('%s -> %j', (native, expected) => {
    expect(filterArchitectures(native)).toEqual(expected);
  });

  it('spells every architecture as an OCI SCMP_ARCH_* name', () => {
    for (const architecture of seccompArchitectures) expect(toOciArchitecture(architecture)).toMatch(/^SCMP_ARCH_[A-Z0-9_]+$/);
  });
});
