import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderAt } from '../../../test/render'
import { SignInPage } from './SignInPage'

type Answer = { status: number; body: unknown }

/** Stands in for the server's /auth endpoints: each path answers with the given status and JSON. */
function serve(answers: Record<string, Answer | ((init?: RequestInit) => Answer)>) {
  const calls: { path: string; init?: RequestInit }[] = []
  vi.stubGlobal('fetch', async (path: string, init?: RequestInit) => {
    calls.push({ path, init })
    const entry = answers[path.split('?')[0]]
    const answer = typeof entry === 'function' ? entry(init) : (entry ?? { status: 404, body: {} })
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'Content-Type': 'application/json' },
    })
  })
  return calls
}

const NO_PROVIDERS = { status: 200, body: { password: true, providers: [], setupRequired: false } }

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('SignInPage', () => {
  it('says an OpenID error code in words', async () => {
    serve({ '/auth/providers': NO_PROVIDERS })
    renderAt(<SignInPage />, { path: '/signin?error=domain_not_allowed', pattern: '/signin' })
    expect(await screen.findByRole('alert')).toHaveTextContent('Your email’s domain may not sign in here.')
  })

  it('names an unknown error code as it is', async () => {
    serve({ '/auth/providers': NO_PROVIDERS })
    renderAt(<SignInPage />, { path: '/signin?error=something_new', pattern: '/signin' })
    expect(await screen.findByRole('alert')).toHaveTextContent('Sign-in failed (something_new).')
  })

  it('points to the setup link while nobody can sign in', async () => {
    serve({ '/auth/providers': { status: 200, body: { password: true, providers: [], setupRequired: true } } })
    renderAt(<SignInPage />, { path: '/signin', pattern: '/signin' })
    expect(await screen.findByText(/Nobody can sign in yet/)).toBeInTheDocument()
  })

  it('offers one button per OpenID provider, coming back to `next`', async () => {
    serve({
      '/auth/providers': {
        status: 200,
        body: { password: true, providers: [{ id: 'corp', name: 'Corp SSO', loginUrl: '/auth/oidc/corp/login' }] },
      },
    })
    renderAt(<SignInPage />, { path: '/signin?next=/w/team/workflows', pattern: '/signin' })
    const button = await screen.findByRole('link', { name: 'Sign in with Corp SSO' })
    expect(button).toHaveAttribute('href', '/auth/oidc/corp/login?next=%2Fw%2Fteam%2Fworkflows')
  })

  it('shows the server’s refusal of a wrong password', async () => {
    const user = userEvent.setup({ delay: null })
    serve({
      '/auth/providers': NO_PROVIDERS,
      '/auth/login': {
        status: 401,
        body: { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' } },
      },
    })
    renderAt(<SignInPage />, { path: '/signin', pattern: '/signin' })
    await user.type(screen.getByLabelText('Email'), 'ada@example.com')
    await user.type(screen.getByLabelText('Password'), 'not it at all')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.')
  })

  it('signs in, reads the session and goes to `next` (a path on this site only)', async () => {
    const user = userEvent.setup({ delay: null })
    const calls = serve({
      '/auth/providers': NO_PROVIDERS,
      '/auth/login': { status: 200, body: { userId: 'u1', csrfToken: 'c1' } },
      '/auth/session': {
        status: 200,
        body: {
          user: { id: 'u1', email: 'ada@example.com', displayName: 'Ada' },
          workspaces: [{ id: 'w1', slug: 'default', name: 'Default', role: 'owner' }],
          csrfToken: 'c1',
        },
      },
    })
    renderAt(<SignInPage />, { path: '/signin?next=//evil.example/', pattern: '/signin' })
    await user.type(screen.getByLabelText('Email'), 'ada@example.com')
    await user.type(screen.getByLabelText('Password'), 'correct horse battery')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(screen.getByText('elsewhere')).toBeInTheDocument())
    const login = calls.find((call) => call.path === '/auth/login')
    expect(JSON.parse(String(login?.init?.body))).toEqual({ email: 'ada@example.com', password: 'correct horse battery' })
    expect(calls.some((call) => call.path === '/auth/session')).toBe(true)
  })
})
