/**
 * A ring of horizontally resized source rows for separable resizes. Destination rows need a sliding,
 * non-decreasing window of at most `size` consecutive source rows, so row `r` lives in slot `r % size`
 * and every source row is resized horizontally once.
 */
export class RowRing<T extends Int32Array | Float32Array> {
  private readonly rows: T[];
  private readonly rowOfSlot: Int32Array;

  constructor(
    private readonly size: number,
    make: () => T,
    private readonly fill: (srcRow: number, out: T) => void,
  ) {
    this.rows = Array.from({ length: size }, make);
    this.rowOfSlot = new Int32Array(size).fill(-1);
  }

  /** The horizontally resized source row `srcRow`. */
  get(srcRow: number): T {
    const slot = srcRow % this.size;
    const row = this.rows[slot];
    if (this.rowOfSlot[slot] !== srcRow) {
      this.fill(srcRow, row);
      this.rowOfSlot[slot] = srcRow;
    }
    return row;
  }
}
