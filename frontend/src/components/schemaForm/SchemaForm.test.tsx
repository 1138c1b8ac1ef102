import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ErrorSchemaBuilder } from '@rjsf/utils'
import { describe, expect, it, vi } from 'vitest'
import kinds from '../../test/nodeKinds.json'
import SchemaForm from './SchemaForm'

describe('the shared schema form', () => {
  it('renders the settings form every kind shares', () => {
    const shapes = new Set(kinds.map((kind) => Object.keys((kind.settingsSchema as { properties: object }).properties).join()))
    expect(shapes.size).toBe(1)
    render(<SchemaForm schema={kinds[0].settingsSchema} formData={{}} idPrefix="settings" />)
    expect(screen.getByRole('textbox', { name: 'Label' })).toBeInTheDocument()
    expect(screen.getByRole('combobox', { name: /On error/ })).toBeInTheDocument()
    expect(screen.getByRole('spinbutton', { name: 'Timeout seconds' })).toBeInTheDocument()
  })

  it('reports an edit with the field it came from and offers template snippets', async () => {
    const user = userEvent.setup({ delay: null })
    const onChange = vi.fn()
    const llm = kinds.find((kind) => kind.kind === 'llm')
    render(
      <SchemaForm
        schema={llm?.paramsSchema}
        formData={{ model: 'test', prompt: '' }}
        onChange={onChange}
        templateSuggestions={['{{input}}', '{{nodes.a.output}}']}
      />,
    )
    await user.type(screen.getByRole('textbox', { name: /Prompt$/ }), 'x')
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ prompt: 'x' }), 'root_prompt')
    expect(screen.getByRole('combobox', { name: 'Insert into Prompt' })).toBeInTheDocument()
  })

  it('shows errors given from outside next to their field', () => {
    const template = kinds.find((kind) => kind.kind === 'template')
    render(<SchemaForm schema={template?.paramsSchema} formData={{ template: '' }} extraErrors={new ErrorSchemaBuilder().addErrors('Say something', 'template').ErrorSchema} />)
    expect(screen.getByText('Say something')).toBeInTheDocument()
  })

  it('validates before submitting, without eval', async () => {
    const user = userEvent.setup({ delay: null })
    const onSubmit = vi.fn()
    const schema = { type: 'object', properties: { n: { type: 'integer', title: 'N', minimum: 3 } }, required: ['n'] }
    render(<SchemaForm schema={schema} formData={{ n: 1 }} onSubmit={onSubmit} submitLabel="Go" />)
    await user.click(screen.getByRole('button', { name: 'Go' }))
    expect(onSubmit).not.toHaveBeenCalled()
    expect(await screen.findByText(/3/)).toBeInTheDocument()
  })
})

describe('defaults', () => {
  it('shows a field’s default as its placeholder', () => {
    const schema = { type: 'object', properties: { retries: { type: 'integer', title: 'Retries', default: 3 } } }
    render(<SchemaForm schema={schema} formData={{}} />)
    expect(screen.getByRole('spinbutton', { name: 'Retries' })).toHaveAttribute('placeholder', '3 (default)')
  })
})
