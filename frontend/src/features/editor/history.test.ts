import { describe, expect, it } from 'vitest'
import { canRedo, canUndo, COALESCE_MS, commit, createHistory, redo, undo } from './history'

describe('undo history', () => {
  it('coalesces quick edits of one field into one step', () => {
    let history = createHistory('')
    history = commit(history, 'h', 'prompt', 1000)
    history = commit(history, 'he', 'prompt', 1100)
    history = commit(history, 'hey', 'prompt', 1200)
    expect(history.past).toEqual([''])
    history = undo(history)
    expect(history.present).toBe('')
    expect(canUndo(history)).toBe(false)
    history = redo(history)
    expect(history.present).toBe('hey')
  })

  it('starts a new step for another field, a pause, or an edit without key', () => {
    let history = createHistory(0)
    history = commit(history, 1, 'a', 0)
    history = commit(history, 2, 'b', 10)
    history = commit(history, 3, 'b', 10 + COALESCE_MS + 1)
    history = commit(history, 4, null, 10 + COALESCE_MS + 2)
    history = commit(history, 5, null, 10 + COALESCE_MS + 3)
    expect(history.past).toEqual([0, 1, 2, 3, 4])
  })

  it('drops the redo steps on a new edit and ignores an unchanged one', () => {
    let history = commit(createHistory('a'), 'b')
    history = undo(history)
    expect(canRedo(history)).toBe(true)
    history = commit(history, 'c')
    expect(canRedo(history)).toBe(false)
    expect(commit(history, history.present)).toBe(history)
  })

  it('does not merge across an undo', () => {
    let history = commit(createHistory('x'), 'xa', 'f', 0)
    history = undo(history)
    history = commit(history, 'xb', 'f', 10)
    expect(history.past).toEqual(['x'])
  })
})
