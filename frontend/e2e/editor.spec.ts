// The workflow editor against the real server: build a workflow by dragging nodes from the palette,
// connect them with the mouse (a condition case handle too), fill their generated forms, watch a
// validation problem appear and go, save version 2, reload, test one node, run it, watch it live in the
// run view, answer its human task in the Inbox and see the result: the journey of a new user.
import { expect, test, type Page } from '@playwright/test'
import path from 'node:path'
import { consoleErrors, graphql, SHOTS, signIn } from './api.ts'

async function connect(page: Page, from: string, handle: string, to: string) {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle[data-handleid="${handle}"]`)
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle[data-handleid="in"]`)
  const a = await source.boundingBox()
  const b = await target.boundingBox()
  if (!a || !b) throw new Error(`no handle ${from}:${handle} or ${to}:in`)
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 })
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 })
  await page.mouse.up()
}

test('build, validate, save, test and run a workflow in the editor', async ({ page }) => {
  // ~35 s on this 2-core machine; headroom for when it is busy
  test.setTimeout(120_000)
  const errors = consoleErrors(page)
  await signIn(page)
  const created = (await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename ... on Workflow { id } ... on InvalidWorkflow { problems { message } } } }',
    // the smallest valid workflow (an empty one is refused); the editor deletes its node first
    { input: { name: 'Editor e2e', definition: { nodes: [{ id: 'start', type: 'template', params: { template: 'hi' } }], edges: [] } } },
  )) as { createWorkflow: { __typename: string; id?: string } }
  expect(created.createWorkflow.__typename).toBe('Workflow')
  const id = created.createWorkflow.id ?? ''

  await page.goto(`/w/default/workflows/${id}`)
  const palette = page.getByRole('complementary', { name: 'Node palette' })
  await expect(palette.getByRole('button', { name: 'Add LLM' })).toBeVisible()
  const canvas = page.locator('.react-flow__pane')
  const panel = page.locator('.editor-side')
  await page.locator('.react-flow__node[data-id="start"]').click()
  await page.keyboard.press('Delete')
  await expect(page.locator('.react-flow__node')).toHaveCount(0)

  // llm: drag it in, its form opens; the empty prompt is a problem on the node and next to the field
  await palette.getByRole('button', { name: 'Add LLM' }).dragTo(canvas, { targetPosition: { x: 120, y: 90 } })
  const llm = page.locator('.react-flow__node[data-id="llm_1"]')
  await expect(llm).toBeVisible()
  await panel.getByRole('textbox', { name: /Model$/ }).fill('test')
  await expect(llm.locator('.flow-node-badge')).toHaveText('1') // the prompt; the model is fine now
  await expect(panel.getByRole('region', { name: 'Problems' })).toContainText('llm_1')
  // …and next to the field it belongs to
  await expect(panel.locator('.editor-panel').getByText('String should have at least 1 character')).toBeVisible()
  await page.screenshot({ path: path.join(SHOTS, '30-editor-problem.png') })
  await panel.getByRole('textbox', { name: /Prompt$/ }).fill('Summarise: {{input}}')
  await expect(llm.locator('.flow-node-badge')).toBeHidden()

  // condition: name its case's branch, so the case gets its own handle
  await palette.getByRole('button', { name: 'Add Condition' }).dragTo(canvas, { targetPosition: { x: 120, y: 300 } })
  const condition = page.locator('.react-flow__node[data-id="condition_1"]')
  await expect(condition).toBeVisible()
  await panel.getByRole('textbox', { name: /Branch$/ }).fill('long')
  await panel.getByRole('textbox', { name: /When$/ }).fill('input | length > 5')
  await expect(condition.locator('.react-flow__handle[data-handleid="long"]')).toBeVisible()

  // human and template
  await palette.getByRole('button', { name: 'Add Human input' }).dragTo(canvas, { targetPosition: { x: 430, y: 120 } })
  await expect(page.locator('.react-flow__node[data-id="human_1"]')).toBeVisible()
  await panel.getByRole('textbox', { name: /Prompt$/ }).fill('Approve the summary?')
  await palette.getByRole('button', { name: 'Add Template' }).dragTo(canvas, { targetPosition: { x: 430, y: 420 } })
  await expect(page.locator('.react-flow__node[data-id="template_1"]')).toBeVisible()
  await panel.getByRole('textbox', { name: /Template$/ }).fill('Result: {{input}}')

  await connect(page, 'llm_1', 'out', 'condition_1')
  await connect(page, 'condition_1', 'long', 'human_1')
  await connect(page, 'condition_1', 'default', 'template_1')
  await expect(page.locator('.react-flow__edge')).toHaveCount(3)
  await expect(page.locator('.react-flow__edge-text').filter({ hasText: 'long' })).toBeVisible()
  await expect(panel.getByRole('region', { name: 'Problems' })).toContainText('No problems.')
  await page.getByRole('button', { name: 'Auto-layout' }).click()
  await page.locator('.react-flow__node[data-id="condition_1"]').click()
  await page.screenshot({ path: path.join(SHOTS, '31-editor-panel.png') })

  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByText('Saved as version 2')).toBeVisible()

  await page.reload()
  await expect(page.locator('.react-flow__node')).toHaveCount(4)
  await expect(page.locator('.react-flow__edge')).toHaveCount(3)
  await expect(page.getByText('version 2')).toBeVisible()

  // test the template node alone with a typed input
  await page.locator('.react-flow__node[data-id="template_1"]').click()
  const tester = panel.getByRole('region', { name: 'Test this node' })
  await tester.getByLabel('Input (JSON)').fill('"hello"')
  await tester.getByRole('button', { name: 'Run the test' }).click()
  await expect(tester.getByLabel('Test output')).toContainText('Result: hello')
  await tester.scrollIntoViewIfNeeded()
  await page.screenshot({ path: path.join(SHOTS, '32-editor-node-test.png') })

  // copy/paste makes a node with a new id; undo takes it away again (back to the saved state)
  await page.locator('.react-flow__node[data-id="template_1"]').click()
  await page.keyboard.press('Control+c')
  await page.keyboard.press('Control+v')
  await expect(page.locator('.react-flow__node[data-id="template_2"]')).toBeVisible()
  await page.keyboard.press('Control+z')
  await expect(page.locator('.react-flow__node[data-id="template_2"]')).toHaveCount(0)
  await expect(page.getByText('unsaved changes')).toHaveCount(0)

  await page.getByRole('button', { name: 'Versions' }).click()
  const versions = page.getByRole('dialog', { name: 'Version history' })
  await expect(versions.getByText('Version 2 (current)')).toBeVisible()
  await expect(versions.getByRole('button', { name: 'Restore version 1' })).toBeVisible()
  await versions.getByRole('button', { name: 'Close' }).click()

  await page.getByRole('button', { name: 'Run', exact: true }).click()
  // the run view (another page) may redirect on; the editor's part is to land on /runs/<id>
  const visited: string[] = []
  page.on('framenavigated', (frame) => visited.push(frame.url()))
  const landed = page.waitForURL(/\/w\/default\/runs\/[^/]+$/)
  await page.getByRole('dialog', { name: 'Run this workflow' }).getByRole('button', { name: 'Start run' }).click()
  await landed
  const runs = (await graphql(page.request, 'query ($id: ID!) { runs(workflowId: $id) { edges { node { id version } } } }', { id })) as {
    runs: { edges: { node: { id: string; version: number } }[] }
  }
  expect(runs.runs.edges.map((edge) => edge.node.version)).toEqual([2])
  const runId = runs.runs.edges[0].node.id
  expect(visited.some((url) => url.endsWith(`/w/default/runs/${runId}`))).toBe(true)

  // the whole journey: watch the run live, answer its human task in the Inbox, see the result
  const graphNode = (nodeId: string) => page.locator(`.react-flow__node[data-id="${nodeId}"]`)
  await expect(graphNode('llm_1')).toContainText('SUCCEEDED')
  await expect(graphNode('condition_1')).toContainText('SUCCEEDED')
  await expect(graphNode('human_1')).toContainText('WAITING')
  await expect(graphNode('template_1')).toContainText('SKIPPED')
  await graphNode('llm_1').click()
  // the offline `test` model answers with a fixed text; its output is in the node's panel
  await expect(page.getByRole('region', { name: /^Node / }).getByRole('group', { name: 'Output' })).not.toBeEmpty()
  await page.screenshot({ path: path.join(SHOTS, '33-journey-run-waiting.png') })

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Inbox' }).click()
  const task = page.getByRole('region', { name: 'Approve the summary?' })
  await task.getByRole('textbox', { name: 'Answer (JSON)' }).fill('{"approved": true}')
  await page.screenshot({ path: path.join(SHOTS, '34-journey-inbox.png') })
  await task.getByRole('button', { name: 'Submit answer' }).click()
  await expect(task).toBeHidden()

  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`/w/default/runs/${runId}$`))
  await expect(graphNode('human_1')).toContainText('SUCCEEDED')
  await expect(page.getByRole('status', { name: 'Live updates' })).toContainText('Run over')
  await graphNode('human_1').click()
  await expect(page.getByRole('region', { name: /^Node / }).getByRole('group', { name: 'Output' })).toContainText('approved')
  await page.screenshot({ path: path.join(SHOTS, '35-journey-run-done.png') })
  expect(errors).toEqual([])
})
