// Logging in and out, the session's user, password reset, invitation links
// and self-registration (tag `auth`; a 401 here never sends to the login page).
import { client, ok, done } from './client'
import type { AcceptRequest, RegisterRequest } from './types'

export const auth = {
  /** `GET /auth/me`: who is logged in (401 when nobody). */
  me: () => ok(client.GET('/api/v1/auth/me')),
  /** `POST /auth/login`; the server sets the session cookies. */
  login: (email: string, password: string) => ok(client.POST('/api/v1/auth/login', { body: { email, password } })),
  /** `POST /auth/logout`. */
  logout: () => done(client.POST('/api/v1/auth/logout')),
  /** `POST /auth/password-reset`: the same neutral answer for any address. */
  requestReset: (email: string) => ok(client.POST('/api/v1/auth/password-reset', { body: { email } })),
  /** `POST /auth/password-reset/confirm`: a new password with the e-mailed token. */
  confirmReset: (token: string, password: string) => done(client.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } })),
  /** `GET /auth/invitations/{token}`: what an invitation link is for. */
  invitation: (token: string) => ok(client.GET('/api/v1/auth/invitations/{token}', { params: { path: { token } } })),
  /** `POST /auth/invitations/accept`: sets the password and logs in. */
  acceptInvitation: (body: AcceptRequest) => ok(client.POST('/api/v1/auth/invitations/accept', { body })),
  /** `POST /auth/register`: a student account with a course's invite code; logs in. */
  register: (body: RegisterRequest) => ok(client.POST('/api/v1/auth/register', { body })),
}
