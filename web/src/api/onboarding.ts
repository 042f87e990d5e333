// Invitations, the CSV import and reset links sent by staff (tag `onboarding`).
import { client, ok } from './client'
import { sendFile, type SentFile } from './upload'
import type { ImportReport, InviteRequest, QueryOf } from './types'

const invitation = (invitation_id: string) => ({ params: { path: { invitation_id } } })

export const onboarding = {
  /** `GET /invitations`: filtered by state, course and address, a page at a time. */
  invitations: (query: QueryOf<'/api/v1/invitations'> = {}) => ok(client.GET('/api/v1/invitations', { params: { query } })),
  /** `POST /invitations`: what the server did with the address (as an import row). */
  invite: (body: InviteRequest) => ok(client.POST('/api/v1/invitations', { body })),
  resend: (id: string) => ok(client.POST('/api/v1/invitations/{invitation_id}/resend', invitation(id))),
  revoke: (id: string) => ok(client.DELETE('/api/v1/invitations/{invitation_id}', invitation(id))),
  /** `POST /users/{id}/password-reset` (admins): e-mails the account a reset link. */
  sendReset: (userId: string) => ok(client.POST('/api/v1/users/{user_id}/password-reset', { params: { path: { user_id: userId } } })),
  /**
   * `POST /users/import`: the CSV file as the body, with the upload's
   * progress (0..1). Answers the report as JSON, or with `format: 'csv'`
   * as a CSV file (see `importReport` for the JSON).
   */
  importUsers: (file: Blob, query: QueryOf<'/api/v1/users/import', 'post'>, onProgress?: (fraction: number) => void): Promise<SentFile> => {
    const q = new URLSearchParams()
    if (query.dry_run !== undefined) q.set('dry_run', String(query.dry_run))
    if (query.format) q.set('format', query.format)
    const qs = q.toString()
    return sendFile(`/users/import${qs ? `?${qs}` : ''}`, file, 'text/csv', onProgress)
  },
}

/** The JSON import report of an answer of `importUsers` (throws when it is not one). */
export function importReport(answer: SentFile): ImportReport {
  const r: unknown = JSON.parse(answer.text)
  if (typeof r !== 'object' || r === null || !Array.isArray((r as ImportReport).rows)) throw new Error('not an import report')
  return r as ImportReport
}
