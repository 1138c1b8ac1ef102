// The selected node's panel: its settings (label, retry, time limit, failure handling) and params,
// both generated from the kind's JSON Schemas by the shared form; problems shown next to their fields.
import { Alert, Button, Collapse, Spin, Typography } from 'antd'
import { lazy, Suspense, useMemo } from 'react'
import { LazySchemaForm } from '../../../components/schemaForm'
import type { Definition, DefNode } from '../flow'
import { templateSuggestions } from '../flow'
import { fieldErrors, type PlacedProblem } from '../problems'
import type { NodeKind } from './Palette'

const TestNodePanel = lazy(() => import('./TestNodePanel'))

function settingsOf(node: DefNode): Record<string, unknown> {
  const { id: _id, type: _type, params: _params, position: _position, ...settings } = node
  return settings
}

export function NodePanel({
  node,
  kind,
  definition,
  placed,
  readOnly,
  workflowId,
  canTest,
  onChange,
}: {
  node: DefNode
  kind: NodeKind | undefined
  definition: Definition
  placed: PlacedProblem[]
  readOnly: boolean
  workflowId: string
  canTest: boolean
  /** The node as edited; `key` names the field, so typing in one field is one undo step. */
  onChange: (node: DefNode, key: string) => void
}) {
  const settings = useMemo(() => settingsOf(node), [node])
  const suggestions = useMemo(() => templateSuggestions(definition, node.id), [definition, node.id])
  const settingsErrors = useMemo(() => fieldErrors(placed, node.id, 'settings'), [placed, node.id])
  const paramsErrors = useMemo(() => fieldErrors(placed, node.id, 'params'), [placed, node.id])
  const other = placed.filter((item) => item.nodeId === node.id && item.form === null)
  const label = node.label || node.id
  return (
    <section className="editor-panel" aria-label={`Node panel: ${label}`}>
      <Typography.Title level={5} className="editor-panel-title">
        {label}
      </Typography.Title>
      <Typography.Text type="secondary">
        {kind?.title ?? node.type} · id <Typography.Text code>{node.id}</Typography.Text>
      </Typography.Text>
      {kind && <Typography.Paragraph type="secondary">{kind.description}</Typography.Paragraph>}
      {other.map((item) => (
        <Alert key={`${item.problem.code}:${item.problem.message}`} type="error" showIcon title={item.problem.message} />
      ))}
      {!kind ? (
        <Alert type="warning" showIcon title={`Unknown node kind “${node.type}”`} />
      ) : (
        <Suspense fallback={<Spin description="Loading the form" />}>
          <Typography.Text strong className="editor-section-title">
            Parameters
          </Typography.Text>
          <LazySchemaForm
            key={`${node.id}:params`}
            idPrefix={`params_${node.id}`}
            schema={kind.paramsSchema}
            formData={node.params ?? {}}
            extraErrors={paramsErrors}
            disabled={readOnly}
            templateSuggestions={suggestions}
            onChange={(data, field) => onChange({ ...node, params: data as Record<string, unknown> }, `params:${field ?? ''}`)}
          />
          <Collapse
            size="small"
            className="editor-settings"
            defaultActiveKey={Object.keys(settingsErrors).length ? ['settings'] : []}
            items={[
              {
                key: 'settings',
                label: `Settings (label, retries, time limit, on error)${Object.keys(settingsErrors).length ? ' — has problems' : ''}`,
                children: (
                  <LazySchemaForm
                    key={`${node.id}:settings`}
                    idPrefix={`settings_${node.id}`}
                    schema={kind.settingsSchema}
                    formData={settings}
                    extraErrors={settingsErrors}
                    disabled={readOnly}
                    onChange={(data, field) =>
                      onChange(
                        { ...(data as Record<string, unknown>), id: node.id, type: node.type, params: node.params, position: node.position },
                        `settings:${field ?? ''}`,
                      )
                    }
                  />
                ),
              },
            ]}
          />
          {canTest && (
            <Suspense fallback={<Button loading>Test this node</Button>}>
              <TestNodePanel workflowId={workflowId} definition={definition} nodeId={node.id} />
            </Suspense>
          )}
        </Suspense>
      )}
    </section>
  )
}
