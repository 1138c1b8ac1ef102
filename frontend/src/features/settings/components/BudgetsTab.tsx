import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Form, InputNumber, Popconfirm, Select, Table, Typography, type TableColumnsType } from 'antd'
import { useState } from 'react'
import { LoadError } from '../../../components/LoadError'
import { usd } from '../../../lib/money'
import {
  BudgetsDocument,
  BudgetWorkflowsDocument,
  DeleteBudgetDocument,
  SetBudgetDocument,
  type BudgetFieldsFragment,
  type BudgetPeriod,
} from '../../../gql/graphql'
import { sentence } from '../../workflows/problems'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { failureText, refusalText } from '../problems'
import { can } from '../roles'

const BUDGETS = [{ query: BudgetsDocument }]
const WORKSPACE = ''

/** How each period reads in a sentence. */
const PERIODS: Record<BudgetPeriod, string> = { DAY: 'per day', MONTH: 'per month', RUN: 'per run' }

interface Fields {
  scope: string
  period: BudgetPeriod
  limitUsd: number | null
}

/** What a budget limits, in words. */
function scopeOf(budget: BudgetFieldsFragment): string {
  return budget.workflowId ? `Workflow “${budget.workflowName ?? budget.workflowId}”` : 'Whole workspace'
}

/**
 * Cost budgets (everyone reads them; admins and owners set and delete them). When a model call would
 * go over a budget, its run waits for approval in the Inbox.
 */
export function BudgetsTab() {
  const { message } = App.useApp()
  const [form] = Form.useForm<Fields>()
  const workspace = useCurrentWorkspace()
  const manages = can(workspace?.role, 'manage')
  const { data, loading, error, refetch } = useQuery(BudgetsDocument)
  const workflows = useQuery(BudgetWorkflowsDocument, { skip: !manages })
  const [setBudget, { loading: saving }] = useMutation(SetBudgetDocument, {
    refetchQueries: (result) => (result.data?.setBudget.__typename === 'Budget' ? BUDGETS : []),
    awaitRefetchQueries: true,
  })
  const [deleteBudget] = useMutation(DeleteBudgetDocument, { refetchQueries: BUDGETS, awaitRefetchQueries: true })
  const [problems, setProblems] = useState<string[]>([])

  async function submit(values: Fields) {
    setProblems([])
    try {
      const { data: answer } = await setBudget({
        variables: {
          input: {
            workflowId: values.scope === WORKSPACE ? null : values.scope,
            period: values.period,
            limitUsd: values.limitUsd ?? 0,
          },
        },
      })
      const result = answer?.setBudget
      if (result?.__typename === 'Budget') {
        void message.success(`Budget set: ${usd(result.limitUsd)} ${PERIODS[result.period]}.`)
        form.resetFields()
      } else if (result?.__typename === 'InvalidBudget') {
        setProblems(result.problems.map((problem) => sentence(problem.message) || problem.code))
      } else setProblems([refusalText(result, 'The server gave no answer.')])
    } catch (failure) {
      setProblems([failureText(failure)])
    }
  }

  async function remove(budget: BudgetFieldsFragment) {
    try {
      const { data: answer } = await deleteBudget({ variables: { id: budget.id } })
      if (answer?.deleteBudget.__typename === 'DeletedBudget') void message.success('Budget deleted.')
      else void message.error(refusalText(answer?.deleteBudget, 'The budget was gone already.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  const columns: TableColumnsType<BudgetFieldsFragment> = [
    { title: 'Applies to', key: 'scope', render: (_: unknown, budget) => scopeOf(budget) },
    { title: 'Limit', key: 'limit', width: 180, render: (_: unknown, budget) => `${usd(budget.limitUsd)} ${PERIODS[budget.period]}` },
    {
      title: 'Spent this period',
      dataIndex: 'spentUsd',
      width: 160,
      render: (spent: number | null) => (spent === null ? 'each run on its own' : usd(spent)),
    },
    ...(manages
      ? [
          {
            title: '',
            key: 'actions',
            width: 100,
            render: (_: unknown, budget: BudgetFieldsFragment) => (
              <Popconfirm
                title="Delete this budget?"
                description="Runs are no longer held by it."
                okText="Delete"
                okButtonProps={{ danger: true }}
                cancelText="Keep"
                onConfirm={() => void remove(budget)}
              >
                <Button size="small" danger aria-label={`Delete budget: ${scopeOf(budget)} ${PERIODS[budget.period]}`}>
                  Delete
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ]

  const scopes = [
    { value: WORKSPACE, label: 'Whole workspace' },
    ...(workflows.data?.workflows.edges ?? []).map(({ node }) => ({ value: node.id, label: `Workflow “${node.name}”` })),
  ]

  return (
    <Flex vertical gap={16} className="settings-tab">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        When a model call would take spend over a budget, its run waits for approval in the Inbox: approving lets the
        call go ahead and the run spend one more budget limit; rejecting fails the run. Days and months are UTC.
      </Typography.Paragraph>
      {manages ? (
        <Form<Fields>
          form={form}
          layout="inline"
          initialValues={{ scope: WORKSPACE, period: 'DAY', limitUsd: null }}
          onFinish={(values) => void submit(values)}
          requiredMark={false}
          aria-label="Set a budget"
        >
          <Form.Item label="Applies to" name="scope">
            <Select<string> aria-label="Applies to" style={{ minWidth: 220 }} options={scopes} />
          </Form.Item>
          <Form.Item label="Period" name="period">
            <Select<BudgetPeriod>
              aria-label="Period"
              className="settings-role-select"
              options={(Object.keys(PERIODS) as BudgetPeriod[]).map((period) => ({ value: period, label: PERIODS[period] }))}
            />
          </Form.Item>
          <Form.Item label="Limit (USD)" name="limitUsd" rules={[{ required: true, message: 'Give a limit in USD.' }]}>
            <InputNumber<number> aria-label="Limit (USD)" min={0.0001} step={0.5} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={saving}>
              Set budget
            </Button>
          </Form.Item>
        </Form>
      ) : null}
      {problems.length ? <Alert type="error" role="alert" title={problems.join(' ')} /> : null}
      {error ? <LoadError what="The budgets" error={error} onRetry={() => void refetch()} /> : null}
      <Table<BudgetFieldsFragment>
        aria-label="Budgets"
        rowKey="id"
        columns={columns}
        dataSource={data?.budgets}
        loading={loading}
        pagination={false}
        locale={{ emptyText: error ? 'Nothing to show.' : 'No budgets: runs may spend without limit.' }}
      />
    </Flex>
  )
}
