/**
 * A ring of horizontally resized source rows for separable resizes. Destination rows need a sliding,
 * non-decreasing window of at most `size` consecutive source rows, so row `r` lives in slot `r % size`
 * and every source row is resized horizontally once. The slots lie one after the other in one typed
 * array (`data`): a vertical pass that reads several rows of one array at offsets is faster in V8 than
 * one that reads several arrays.
 */
export class RowRing<T extends Int32Array | Float32Array> {
  /** `size` rows of `rowLen` values each. */
  readonly data: T;
  private readonly rowOfSlot: Int32Array;

  constructor(
    private readonly size: number,
    private readonly rowLen: number,
    make: (length: number) => T,
    private readonly fill: (srcRow: number, out: T, at: number) => void,
  ) {
    this.data = make(size * rowLen);
    this.rowOfSlot = new Int32Array(size).fill(-1);
  }

  /** Where the horizontally resized source row `srcRow` starts in `data`. */
  at(srcRow: number): number {
    const slot = srcRow % this.size;
    const at = slot * this.rowLen;
    if (this.rowOfSlot[slot] !== srcRow) {
      this.fill(srcRow, this.data, at);
      this.rowOfSlot[slot] = srcRow;
    }
    return at;
  }
}
