// "Test this node" (Dify's single-step run, n8n's pinned data): run just this node of the edited
// definition with an input typed as JSON or pinned from a past run's node input; see its output,
// error, branch, usage and time, and the node's recent tests. Tests are kept apart from the runs.
import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, Button, Descriptions, Input, List, Select, Space, Tag, Typography } from 'antd'
import { useMemo, useState } from 'react'
import {
  EditorPastNodeInputsDocument,
  NodeTestsDocument,
  TestNodeDocument,
  type NodeTestFieldsFragment,
} from '../../../gql/graphql'
import type { Definition } from '../flow'

function show(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

function parseJson(text: string, what: string): { value: unknown; error: string | null } {
  if (!text.trim()) return { value: null, error: null }
  try {
    return { value: JSON.parse(text), error: null }
  } catch {
    return { value: null, error: `${what} is not JSON.` }
  }
}

function TestResult({ test }: { test: NodeTestFieldsFragment }) {
  return (
    <Descriptions size="small" column={1} bordered className="editor-test-result">
      <Descriptions.Item label="Status">
        <Tag color={test.status === 'SUCCEEDED' ? 'green' : test.status === 'FAILED' ? 'red' : 'gold'}>{test.status}</Tag>
        {test.durationMs} ms
      </Descriptions.Item>
      {test.error && (
        <Descriptions.Item label="Error">
          <Typography.Text type="danger">{test.error}</Typography.Text>
        </Descriptions.Item>
      )}
      {test.branch && <Descriptions.Item label="Branch">{test.branch}</Descriptions.Item>}
      <Descriptions.Item label="Output">
        <pre className="editor-test-output" aria-label="Test output">
          {show(test.output)}
        </pre>
      </Descriptions.Item>
      {test.usage && (
        <Descriptions.Item label="Usage">
          {test.usage.inputTokens} in / {test.usage.outputTokens} out tokens, {test.usage.requests} request
          {test.usage.requests === 1 ? '' : 's'}
        </Descriptions.Item>
      )}
    </Descriptions>
  )
}

export default function TestNodePanel({ workflowId, definition, nodeId }: { workflowId: string; definition: Definition; nodeId: string }) {
  const [input, setInput] = useState('')
  const [inputs, setInputs] = useState('')
  const [upstream, setUpstream] = useState('')
  const [problems, setProblems] = useState<string[]>([])
  const [result, setResult] = useState<NodeTestFieldsFragment | null>(null)
  const [testNode, { loading }] = useMutation(TestNodeDocument)
  const recent = useQuery(NodeTestsDocument, { variables: { workflowId, nodeId }, fetchPolicy: 'cache-and-network' })
  const past = useQuery(EditorPastNodeInputsDocument, { variables: { workflowId }, fetchPolicy: 'cache-and-network' })
  const pins = useMemo(
    () =>
      (past.data?.runs.edges ?? []).flatMap(({ node: run }) =>
        run.nodeRuns
          .filter((nodeRun) => nodeRun.nodeId === nodeId && nodeRun.input !== null && nodeRun.input !== undefined)
          .map((nodeRun) => ({
            value: `${run.id}:${nodeRun.iteration}`,
            label: `Run of ${new Date(run.createdAt).toLocaleString()} (${nodeRun.status.toLowerCase()})`,
            input: nodeRun.input,
            inputs: run.inputs,
          })),
      ),
    [past.data, nodeId],
  )

  async function run() {
    const parsed = [parseJson(input, 'Input'), parseJson(inputs, 'Run inputs'), parseJson(upstream, 'Upstream outputs')]
    const errors = parsed.flatMap((item) => (item.error ? [item.error] : []))
    setProblems(errors)
    if (errors.length) return
    const answer = await testNode({
      variables: { input: { workflowId, definition, nodeId, input: parsed[0].value, inputs: parsed[1].value, upstream: parsed[2].value } },
    })
      .then((response) => response.data?.testNode)
      .catch((error: unknown) => {
        setProblems([`The test did not run: ${error instanceof Error ? error.message : String(error)}`])
        return undefined
      })
    if (!answer) return
    switch (answer.__typename) {
      case 'NodeTest':
        setResult(answer)
        void recent.refetch()
        break
      case 'InvalidNodeTestInput':
      case 'InvalidWorkflow':
        setResult(null)
        setProblems(answer.problems.map((problem) => `${problem.path ? `${problem.path}: ` : ''}${problem.message}`))
        break
      case 'MissingCredentials':
        setResult(null)
        setProblems([`${answer.message} (provider ${answer.provider})`])
        break
      case 'NotFound':
        setResult(null)
        setProblems([answer.message])
        break
    }
  }

  return (
    <section className="editor-test" aria-label="Test this node">
      <Typography.Text strong className="editor-section-title">
        Test this node
      </Typography.Text>
      <Space orientation="vertical" className="editor-test-fields">
        {pins.length > 0 && (
          <Select
            aria-label="Pin an input from a past run"
            placeholder="Pin an input from a past run"
            options={pins.map(({ value, label }) => ({ value, label }))}
            onChange={(value: string) => {
              const pin = pins.find((item) => item.value === value)
              if (!pin) return
              setInput(JSON.stringify(pin.input, null, 2))
              if (pin.inputs) setInputs(JSON.stringify(pin.inputs, null, 2))
            }}
            className="editor-test-pin"
          />
        )}
        <label className="editor-test-label" htmlFor={`test-input-${nodeId}`}>
          Input (JSON)
        </label>
        <Input.TextArea id={`test-input-${nodeId}`} value={input} onChange={(event) => setInput(event.target.value)} autoSize={{ minRows: 2, maxRows: 8 }} spellCheck={false} placeholder='e.g. "some text" or {"a": 1}' />
        <label className="editor-test-label" htmlFor={`test-inputs-${nodeId}`}>
          Run inputs (JSON, optional)
        </label>
        <Input.TextArea id={`test-inputs-${nodeId}`} value={inputs} onChange={(event) => setInputs(event.target.value)} autoSize={{ minRows: 1, maxRows: 6 }} spellCheck={false} />
        <label className="editor-test-label" htmlFor={`test-upstream-${nodeId}`}>
          Upstream outputs by node id (JSON, optional)
        </label>
        <Input.TextArea id={`test-upstream-${nodeId}`} value={upstream} onChange={(event) => setUpstream(event.target.value)} autoSize={{ minRows: 1, maxRows: 6 }} spellCheck={false} />
        <Button onClick={() => void run()} loading={loading}>
          Run the test
        </Button>
      </Space>
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          title="The test did not run"
          description={
            <ul aria-label="Test problems">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          }
        />
      )}
      {result && <TestResult test={result} />}
      {(recent.data?.nodeTests.length ?? 0) > 0 && (
        <List
          size="small"
          header="Recent tests"
          dataSource={recent.data?.nodeTests ?? []}
          renderItem={(test) => (
            <List.Item key={test.id}>
              <Button type="link" size="small" onClick={() => setResult(test)} className="editor-problem">
                {new Date(test.finishedAt).toLocaleTimeString()} · {test.status.toLowerCase()} · {test.durationMs} ms
              </Button>
            </List.Item>
          )}
        />
      )}
    </section>
  )
}
