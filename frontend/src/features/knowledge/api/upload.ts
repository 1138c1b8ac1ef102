// Uploads go as a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec):
// Apollo Client 4 has no upload link, so the page builds the request itself and sends it with fetch,
// with the same session cookie, CSRF token and workspace header as every other request of the app.
import { print } from 'graphql'
import { scopeHeaders, type ClientScope } from '../../../app/apollo'
import {
  UploadDocumentsDocument,
  type UploadDocumentsMutation,
  type UploadDocumentsMutationVariables,
} from '../../../gql/graphql'

/** The variables of an upload other than the files themselves. */
export type UploadVariables = Omit<UploadDocumentsMutationVariables, 'files'>

/** What an upload answered: the mutation's result, or why there is none. */
export type UploadOutcome =
  | { ok: true; result: UploadDocumentsMutation['uploadDocuments'] }
  | { ok: false; status: number; message: string; code: string | null }

/**
 * The multipart body of `uploadDocuments` for `files`: an `operations` field (the query and its
 * variables, with a `null` in place of each file), a `map` field (which part fills which `null`) and
 * one part per file, named by its index.
 */
export function uploadForm(variables: UploadVariables, files: readonly File[]): FormData {
  const operations = {
    query: print(UploadDocumentsDocument),
    operationName: 'UploadDocuments',
    variables: { ...variables, files: files.map(() => null) },
  }
  const map = Object.fromEntries(files.map((_, index) => [String(index), [`variables.files.${index}`]]))
  const form = new FormData()
  form.append('operations', JSON.stringify(operations))
  form.append('map', JSON.stringify(map))
  files.forEach((file, index) => form.append(String(index), file, file.name))
  return form
}

/** The request that uploads `files`: a same-origin POST with the scope's headers (fetch sets the boundary). */
export function uploadRequest(
  scope: ClientScope,
  variables: UploadVariables,
  files: readonly File[],
): { url: string; init: RequestInit } {
  return {
    url: '/graphql',
    init: { method: 'POST', headers: scopeHeaders(scope), body: uploadForm(variables, files), credentials: 'include' },
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** The first GraphQL error of a body (`{"errors": [{message, extensions: {code}}]}`), if any. */
function firstError(body: unknown): { message: string; code: string | null } | null {
  const errors = record(body)?.errors
  const first = Array.isArray(errors) ? record(errors[0]) : undefined
  if (!first) return null
  const message = typeof first.message === 'string' ? first.message : 'The upload was refused.'
  const code = record(first.extensions)?.code
  return { message, code: typeof code === 'string' ? code : null }
}

/** Reads an upload's answer: the mutation's result, or the error (HTTP or GraphQL) in words. */
export async function readUploadResponse(response: Response): Promise<UploadOutcome> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  const error = firstError(body)
  // the body is the server's answer to this very document, so its data has the document's shape
  const data = record(record(body)?.data) as UploadDocumentsMutation | undefined
  if (response.ok && !error && data?.uploadDocuments) return { ok: true, result: data.uploadDocuments }
  if (error) return { ok: false, status: response.status, ...error }
  return {
    ok: false,
    status: response.status,
    message:
      response.status === 413 ? 'The files are too large to upload at once.' : `The server answered ${response.status}.`,
    code: null,
  }
}

/**
 * Uploads `files` to a collection. A 401 or 403 (an ended session, a refused CSRF token) tells the
 * scope, as the Apollo client does, so the app reads the session again.
 */
export async function uploadDocuments(
  scope: ClientScope,
  variables: UploadVariables,
  files: readonly File[],
): Promise<UploadOutcome> {
  const { url, init } = uploadRequest(scope, variables, files)
  const response = await fetch(url, init)
  if (response.status === 401 || response.status === 403) scope.onSessionChanged?.()
  return readUploadResponse(response)
}
