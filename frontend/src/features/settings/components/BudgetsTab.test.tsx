import type { MockLink } from '@apollo/client/testing'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import {
  BudgetsDocument,
  BudgetWorkflowsDocument,
  DeleteBudgetDocument,
  SetBudgetDocument,
  type BudgetFieldsFragment,
} from '../../../gql/graphql'
import { renderSettings } from '../testing'

const daily: BudgetFieldsFragment & { __typename: 'Budget' } = {
  __typename: 'Budget',
  id: 'b1',
  workflowId: null,
  workflowName: null,
  period: 'DAY',
  limitUsd: 5,
  spentUsd: 1.25,
  createdAt: '2026-12-02T10:00:00Z',
  updatedAt: '2026-12-02T10:00:00Z',
}
const perRun: typeof daily = { ...daily, id: 'b2', workflowId: 'w1', workflowName: 'Summaries', period: 'RUN', limitUsd: 0.05, spentUsd: null }

const budgets = (list: BudgetFieldsFragment[]): MockLink.MockedResponse => ({
  request: { query: BudgetsDocument },
  result: { data: { budgets: list } },
})
const workflows: MockLink.MockedResponse = {
  request: { query: BudgetWorkflowsDocument },
  result: {
    data: {
      workflows: {
        __typename: 'WorkflowConnection',
        edges: [{ __typename: 'WorkflowEdge', node: { __typename: 'Workflow', id: 'w1', name: 'Summaries' } }],
      },
    },
  },
}

describe('Settings: budgets', () => {
  it('lists the budgets with what they counted, and shows a viewer no controls', async () => {
    renderSettings('budgets', 'VIEWER', [budgets([daily, perRun])])
    const table = await screen.findByRole('table', { name: 'Budgets' })
    const workspaceRow = await within(table).findByRole('row', { name: /Whole workspace/ })
    expect(workspaceRow).toHaveTextContent('$5.00 per day')
    expect(workspaceRow).toHaveTextContent('$1.25')
    const workflowRow = within(table).getByRole('row', { name: /Summaries/ })
    expect(workflowRow).toHaveTextContent('$0.0500 per run')
    expect(workflowRow).toHaveTextContent('each run on its own')
    expect(screen.queryByRole('form', { name: 'Set a budget' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Delete budget/ })).not.toBeInTheDocument()
  })

  it('lets an admin set a budget of the workspace', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('budgets', 'ADMIN', [
      budgets([]),
      workflows,
      {
        request: { query: SetBudgetDocument, variables: { input: { workflowId: null, period: 'DAY', limitUsd: 2.5 } } },
        result: { data: { setBudget: { ...daily, limitUsd: 2.5, spentUsd: 0 } } },
      },
      budgets([{ ...daily, limitUsd: 2.5, spentUsd: 0 }]),
    ])
    expect(await screen.findByText('No budgets: runs may spend without limit.')).toBeInTheDocument()
    await user.type(screen.getByRole('spinbutton', { name: 'Limit (USD)' }), '2.5')
    await user.click(screen.getByRole('button', { name: 'Set budget' }))
    expect(await screen.findByRole('row', { name: /Whole workspace/ })).toHaveTextContent('$2.50 per day')
  })

  it('shows why a budget was refused', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('budgets', 'OWNER', [
      budgets([]),
      workflows,
      {
        request: { query: SetBudgetDocument, variables: { input: { workflowId: null, period: 'DAY', limitUsd: 1 } } },
        result: {
          data: {
            setBudget: {
              __typename: 'InvalidBudget',
              problems: [{ __typename: 'Problem', code: 'INVALID_LIMIT', message: 'The limit must be at most 1 USD.', path: 'limitUsd' }],
            },
          },
        },
      },
    ])
    await user.type(await screen.findByRole('spinbutton', { name: 'Limit (USD)' }), '1')
    await user.click(screen.getByRole('button', { name: 'Set budget' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The limit must be at most 1 USD.')
  })

  it('deletes a budget after confirmation', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('budgets', 'OWNER', [
      budgets([daily]),
      workflows,
      { request: { query: DeleteBudgetDocument, variables: { id: 'b1' } }, result: { data: { deleteBudget: { __typename: 'DeletedBudget', id: 'b1' } } } },
      budgets([]),
    ])
    await user.click(await screen.findByRole('button', { name: 'Delete budget: Whole workspace per day' }))
    await user.click(await screen.findByRole('button', { name: 'Delete' }))
    expect(await screen.findByText('No budgets: runs may spend without limit.')).toBeInTheDocument()
  })

  it('names every control an owner can reach', async () => {
    renderSettings('budgets', 'OWNER', [budgets([daily, perRun]), workflows])
    await screen.findByRole('button', { name: 'Delete budget: Whole workspace per day' })
    const unnamed = ['button', 'combobox', 'spinbutton', 'textbox'].flatMap((role) =>
      screen.queryAllByRole(role, { name: (name) => name.trim() === '' }).map((element) => `${role}: ${element.outerHTML.slice(0, 80)}`),
    )
    expect(unnamed).toEqual([])
  })
})
