/** Docker's stream numbers in the 8-byte frame header of a non-tty attach, logs or exec stream. */
export const StdStream = { stdin: 0, stdout: 1, stderr: 2 } as const;

/** One frame of Docker's multiplexed stream (`stdcopy`): `[stream, 0, 0, 0, size (uint32 BE)]` then the bytes. */
export function frame(stream: number, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Writes `stream`'s bytes to `output`, framed unless the container has a tty (raw then, as Docker). */
export function streamWriter(output: { write(data: Buffer): unknown }, stream: number, raw: boolean): { write(data: Buffer): boolean } {
  return {
    write(data: Buffer) {
      if (data.length === 0) return true;
      output.write(raw ? data : frame(stream, data));
      return true;
    },
  };
}

/** Splits a multiplexed stream back into its frames (tests, and clients of the daemon's own). */
export function demultiplex(data: Buffer): { stream: number; data: Buffer }[] {
  const frames: { stream: number; data: Buffer }[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    const size = data.readUInt32BE(offset + 4);
    frames.push({ stream: data.readUInt8(offset), data: data.subarray(offset + 8, offset + 8 + size) });
    offset += 8 + size;
  }
  return frames;
}
