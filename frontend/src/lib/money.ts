/** An amount of USD as people read it: cents from a dollar up, tenths of a cent below (model calls are cheap). */
export function usd(amount: number): string {
  return amount >= 1 || amount === 0 ? `$${amount.toFixed(2)}` : `$${amount.toFixed(4)}`
}
