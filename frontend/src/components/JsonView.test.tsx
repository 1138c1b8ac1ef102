import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { JsonView, MAX_ITEMS, MAX_TEXT } from './JsonView'

describe('JsonView', () => {
  it('shows nested values, folded past the second level', () => {
    render(<JsonView label="Output" value={{ answer: 'yes', deep: { deeper: { deepest: 42 } }, none: null }} />)
    const view = screen.getByRole('group', { name: 'Output' })
    expect(view).toHaveTextContent('answer: "yes"')
    expect(view).toHaveTextContent('none: null')
    expect(screen.getByText('42')).not.toBeVisible()
  })

  it('cuts a long string and a long list until "Show all" is pressed', async () => {
    const user = userEvent.setup()
    const long = 'x'.repeat(MAX_TEXT + 50)
    const items = Array.from({ length: MAX_ITEMS + 5 }, (_, index) => index * 1000)
    render(<JsonView label="Output" value={{ long, items }} />)
    expect(screen.queryByText(JSON.stringify(long))).toBeNull()
    await user.click(screen.getByRole('button', { name: `Show all ${long.length} characters` }))
    expect(screen.getByText(JSON.stringify(long))).toBeInTheDocument()
    expect(screen.queryByText(String((MAX_ITEMS + 4) * 1000))).toBeNull()
    await user.click(screen.getByRole('button', { name: `Show all ${MAX_ITEMS + 5}` }))
    expect(screen.getByText(String((MAX_ITEMS + 4) * 1000))).toBeInTheDocument()
  })
})
