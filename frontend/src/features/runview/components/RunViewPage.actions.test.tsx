import { fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { SubmitHumanInputDocument } from '../../../gql/graphql'
import { loadSchemaForm, OWNER_SESSION } from '../../../test/render'
import { node, renderPage, stubFlowBrowser, VIEWER } from './runViewTesting'

stubFlowBrowser()
beforeAll(loadSchemaForm)

describe('RunViewPage actions', () => {
  it('answers a waiting human node from its panel and shows the API refusal in words', async () => {
    const user = userEvent.setup()
    renderPage(OWNER_SESSION, [
      {
        request: { query: SubmitHumanInputDocument, variables: { runId: 'r1', nodeId: 'ask', input: { ok: false } } },
        result: {
          data: {
            submitHumanInput: {
              __typename: 'InvalidHumanInput',
              message: 'the input does not match the schema',
              errors: ['ok: must be true'],
            },
          },
        },
      },
    ])
    fireEvent.click(await node('Approval (human)'))
    const form = await screen.findByRole('region', { name: 'Answer' })
    expect(within(form).getByText('Approve?')).toBeInTheDocument()
    await user.click(await within(form).findByRole('button', { name: 'Submit answer' }))
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The answer does not fit the question: the input does not match the schema',
    )
    expect(within(form).getByRole('list', { name: 'Problems' })).toHaveTextContent('ok: must be true')
  })

  it('offers runners Cancel and the answer form, and viewers neither', async () => {
    renderPage(VIEWER)
    fireEvent.click(await node('Approval (human)'))
    await screen.findByRole('region', { name: 'Node Approval' })
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Rerun from this node' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Submit answer' })).toBeNull()
    expect(screen.getByText('Viewers see the question; a runner or above answers it.')).toBeInTheDocument()
  })

  it('shows the owner Cancel and Rerun', async () => {
    renderPage(OWNER_SESSION)
    fireEvent.click(await node('Greeting (template)'))
    expect(await screen.findByRole('button', { name: 'Rerun from this node' })).toBeEnabled()
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument()
  })
})
