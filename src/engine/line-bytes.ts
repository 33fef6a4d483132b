/**
 * Lines encoded one after another, each with its newline, into `buffer` (a collect pool's slot), or,
 * once they outgrow it, into a buffer of its own (transferable): what a collect thread
 * (collect-worker.ts) gives the calling thread to copy into a shard's answers or invalid file, so
 * that thread encodes no line.
 */
export class LineBytes {
  private used = 0;

  constructor(private buffer: Buffer) {}

  get length(): number {
    return this.used;
  }

  /** Appends `text` and a newline; returns their bytes (what the calling thread's writer would have encoded). */
  add(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3 + 1);
    const start = this.used;
    this.used += this.buffer.write(text, start);
    this.buffer[this.used++] = 10;
    return this.used - start;
  }

  append(other: LineBytes): void {
    this.reserve(other.used);
    other.buffer.copy(this.buffer, this.used, 0, other.used);
    this.used += other.used;
  }

  /** Whether the lines are still in `memory` (the slot they started in). */
  inPlace(memory: SharedArrayBuffer | undefined): boolean {
    return memory !== undefined && this.buffer.buffer === memory;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.used);
  }

  private reserve(room: number): void {
    if (this.used + room <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.used + room));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
