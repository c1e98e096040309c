import type { LinuxSeccompArch } from './oci-seccomp.js';

/**
 * The architectures a seccomp policy can name, spelled as libseccomp's `SCMP_ARCH_*` suffix in
 * lower case (`x86_64` is `SCMP_ARCH_X86_64`). Rules name the container's native architecture.
 */
export const seccompArchitectures = [
  'x86_64', 'x86', 'x32',
  'aarch64', 'arm',
  'mips', 'mipsel', 'mips64', 'mips64n32', 'mipsel64', 'mipsel64n32',
  'ppc', 'ppc64', 'ppc64le',
  's390', 's390x',
  'riscv64',
  'loongarch64',
] as const;

/** One of {@link seccompArchitectures}. */
export type SeccompArchitecture = (typeof seccompArchitectures)[number];

/**
 * What a process on each native architecture can also call the kernel as: a filter that does not
 * list them makes the kernel kill (libseccomp's "bad arch" action) any process that, say, enters a
 * 32-bit `int 0x80` on x86_64. Listing them lets the same rules answer for them instead.
 */
const compatibleArchitectures: Readonly<Record<SeccompArchitecture, readonly SeccompArchitecture[]>> = {
  x86_64: ['x86', 'x32'],
  x86: [],
  x32: [],
  aarch64: ['arm'],
  arm: [],
  mips: [],
  mipsel: [],
  mips64: ['mips', 'mips64n32'],
  mips64n32: ['mips', 'mips64'],
  mipsel64: ['mipsel', 'mipsel64n32'],
  mipsel64n32: ['mipsel', 'mipsel64'],
  ppc: [],
  ppc64: [],
  ppc64le: [],
  s390: [],
  s390x: ['s390'],
  riscv64: [],
  loongarch64: [],
};

/**
 * Other spellings of each architecture: Node's `process.arch`, Go's `GOARCH`, `uname -m`.
 * `ppc64` is Node's meaning (little-endian, the only 64-bit POWER Linux Node ships for); a
 * big-endian POWER host is `SCMP_ARCH_PPC64` (or `ppc64be`).
 */
const aliases: ReadonlyMap<string, SeccompArchitecture> = new Map(Object.entries({
  x64: 'x86_64',
  amd64: 'x86_64',
  ia32: 'x86',
  '386': 'x86',
  i386: 'x86',
  i686: 'x86',
  arm64: 'aarch64',
  armv7l: 'arm',
  armhf: 'arm',
  mipsle: 'mipsel',
  mips64le: 'mipsel64',
  mips64el: 'mipsel64',
  ppc64: 'ppc64le',
  ppc64be: 'ppc64',
  loong64: 'loongarch64',
} satisfies Record<string, SeccompArchitecture>));

const known: ReadonlySet<string> = new Set(seccompArchitectures);

/**
 * The canonical seccomp architecture for `name`: a Node `process.arch` (`x64`, `arm64`, ...),
 * a `GOARCH` (`amd64`, `386`, ...), a `uname -m` value or an `SCMP_ARCH_*` name, in any case.
 * Returns undefined for names it does not know.
 */
export function parseSeccompArchitecture(name: string): SeccompArchitecture | undefined {
  const lower = name.trim().toLowerCase();
  if (lower.startsWith('scmp_arch_')) {
    const bare = lower.slice('scmp_arch_'.length);
    return known.has(bare) ? (bare as SeccompArchitecture) : undefined;
  }
  return aliases.get(lower) ?? (known.has(lower) ? (lower as SeccompArchitecture) : undefined);
}

/** The native architecture first, then the ones its processes can also use, as OCI names. */
export function filterArchitectures(native: SeccompArchitecture): LinuxSeccompArch[] {
  return [native, ...compatibleArchitectures[native]].map(toOciArchitecture);
}

/** `x86_64` -> `SCMP_ARCH_X86_64`. */
export function toOciArchitecture(architecture: SeccompArchitecture): LinuxSeccompArch {
  return `SCMP_ARCH_${architecture.toUpperCase()}` as LinuxSeccompArch;
}
