import type { FileHandle } from 'node:fs/promises';
import { EngineError } from './errors.js';

/** One member of a tar archive: its name (as the archive spells it) and whether it is a directory. */
export interface TarEntry {
  name: string;
  directory: boolean;
}

const blockSize = 512;

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** A numeric field: octal text, or base-256 (GNU, the high bit of the first byte set). */
function numeric(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let index = 1; index < field.length; index += 1) value = value * 256 + field[index]!;
    return value;
  }
  const digits = text(block, offset, length).trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let index = 0; index < blockSize; index += 1) sum += index >= 148 && index < 156 ? 0x20 : block[index]!;
  return sum;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

/** PAX extended header records (`<length> <key>=<value>\n`). */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(data.subarray(position, space).toString());
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals !== -1) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}

/**
 * Reads the members of an (uncompressed) tar archive in a file: names from ustar prefix + name,
 * GNU long names (`L`) and PAX `path` records. With `owner`, every member's uid and gid fields
 * are rewritten to it in place (checksums recomputed): Docker's extraction as the container's
 * root unless the client asks to keep the archive's owners.
 * @throws EngineError COPY_FAILED for an archive that is not a tar archive
 */
export async function scanTarFile(file: FileHandle, options: { owner?: { uid: number; gid: number } } = {}): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const block = Buffer.alloc(blockSize);
  let position = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  for (;;) {
    const { bytesRead } = await file.read(block, 0, blockSize, position);
    if (bytesRead === 0) break;
    if (bytesRead < blockSize) throw new EngineError('COPY_FAILED', `the archive is truncated at byte ${position}`);
    if (block.every((byte) => byte === 0)) break;
    const stored = numeric(block, 148, 8);
    if (stored !== checksum(block)) throw new EngineError('COPY_FAILED', `the archive is not a tar archive (bad header checksum at byte ${position})`);
    const type = String.fromCharCode(block[156]!);
    const size = numeric(block, 124, 12);
    const dataStart = position + blockSize;
    const readData = async () => {
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataStart);
      return data;
    };
    if (type === 'L') longName = text(await readData(), 0, size);
    else if (type === 'x') paxPath = paxRecords(await readData()).get('path') ?? paxPath;
    else if (type !== 'g' && type !== 'K') {
      const prefix = text(block, 257, 6).startsWith('ustar') ? text(block, 345, 155) : '';
      const shortName = text(block, 0, 100);
      const name = paxPath ?? longName ?? (prefix === '' ? shortName : `${prefix}/${shortName}`);
      entries.push({ name, directory: type === '5' || (type === '0' && name.endsWith('/')) });
      longName = undefined;
      paxPath = undefined;
      if (options.owner) {
        writeOctal(block, 108, 8, options.owner.uid);
        writeOctal(block, 116, 8, options.owner.gid);
        block.write(`${checksum(block).toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
        await file.write(block, 0, blockSize, position);
      }
    }
    position = dataStart + Math.ceil(size / blockSize) * blockSize;
  }
  return entries;
}
