// Undo/redo over whole definitions. Edits that carry the same key in quick succession (typing in one
// field) replace the newest step instead of adding one: a word typed is one undo step, not one per key.
export interface History<T> {
  past: T[]
  present: T
  future: T[]
  /** The key of the newest step and when it was made (coalescing). */
  lastKey: string | null
  lastAt: number
}

/** Steps further apart than this are never merged. */
export const COALESCE_MS = 1_000
const LIMIT = 100

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 }
}

/** Records `next`; with the same `key` as the newest step within COALESCE_MS, it replaces that step. */
export function commit<T>(history: History<T>, next: T, key: string | null = null, now: number = Date.now()): History<T> {
  if (next === history.present) return history
  if (key !== null && key === history.lastKey && now - history.lastAt < COALESCE_MS) {
    return { ...history, present: next, future: [], lastAt: now }
  }
  return { past: [...history.past, history.present].slice(-LIMIT), present: next, future: [], lastKey: key, lastAt: now }
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1)
  if (previous === undefined) return history
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future], lastKey: null, lastAt: 0 }
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future
  if (next === undefined) return history
  return { past: [...history.past, history.present], present: next, future: rest, lastKey: null, lastAt: 0 }
}

export const canUndo = <T,>(history: History<T>) => history.past.length > 0
export const canRedo = <T,>(history: History<T>) => history.future.length > 0
