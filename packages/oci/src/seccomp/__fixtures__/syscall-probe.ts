// Test helper: a tiny static x86_64 ELF program, written byte by byte, that makes ONE system call
// with fixed arguments and exits with 0 when it succeeded or with the errno when it failed. It lets
// a busybox container try calls no busybox applet makes (clone3, socket(AF_ALG), personality flags,
// clone with namespace flags). x86_64 only. (The 32-bit `int 0x80` entry would show the x86
// sub-architecture too, but this machine's kernel answers it with SIGSEGV even without seccomp.)

const baseAddress = 0x400000;
const headerSize = 64 + 56; // ELF header + one program header

function u16(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff];
}
function u32(value: number): number[] {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return [...buffer];
}
function u64(value: number | bigint): number[] {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
  return [...buffer];
}

/**
 * The bytes of a program calling system call `number` (x86_64 numbering) with up to six
 * arguments: write them to a file in the rootfs with mode 0755 and run it.
 */
export function syscallProbe(number: number, args: readonly (number | bigint)[] = []): Buffer {
  if (args.length > 6) throw new Error('a system call takes at most six arguments');
  const registers = [[0x48, 0xbf], [0x48, 0xbe], [0x48, 0xba], [0x49, 0xba], [0x49, 0xb8], [0x49, 0xb9]]; // movabs rdi, rsi, rdx, r10, r8, r9
  const code: number[] = [0x48, 0xc7, 0xc0, ...u32(number)]; // mov rax, number
  args.forEach((value, index) => code.push(...(registers[index] ?? []), ...u64(value)));
  code.push(
    0x0f, 0x05, //       syscall
    0x48, 0xf7, 0xd8, // neg rax: the errno when the call failed
    0x48, 0x89, 0xc7, // mov rdi, rax
    0x48, 0x85, 0xc0, // test rax, rax
    0x7f, 0x02, //       jg exit (failed: exit with the errno)
    0x31, 0xff, //       xor edi, edi (succeeded: exit 0)
    0xb8, ...u32(60), // exit: mov eax, 60 (exit; in a clone child too)
    0x0f, 0x05, //       syscall
  );
  const total = headerSize + code.length;
  const header = [
    0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array<number>(8).fill(0), // ELF64, little-endian, SYSV
    ...u16(2), ...u16(0x3e), ...u32(1), // ET_EXEC, x86_64, version 1
    ...u64(baseAddress + headerSize), ...u64(64), ...u64(0), // entry, program headers at 64, no sections
    ...u32(0), ...u16(64), ...u16(56), ...u16(1), ...u16(0), ...u16(0), ...u16(0),
  ];
  const programHeader = [
    ...u32(1), ...u32(5), // PT_LOAD, readable + executable
    ...u64(0), ...u64(baseAddress), ...u64(baseAddress), // the whole file at baseAddress
    ...u64(total), ...u64(total), ...u64(0x1000),
  ];
  return Buffer.from([...header, ...programHeader, ...code]);
}
