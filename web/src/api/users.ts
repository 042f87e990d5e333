// The school's accounts (tag `users`).
import { client, ok, done, API_PREFIX } from './client'
import type { CreateUserRequest, ProfileRequest, QueryOf, Role } from './types'

const user = (user_id: string) => ({ params: { path: { user_id } } })

export const users = {
  /** `GET /users` (admins): found by name or e-mail prefix, role and state, a page at a time. */
  list: (query: QueryOf<'/api/v1/users'> = {}) => ok(client.GET('/api/v1/users', { params: { query } })),
  /** `GET /users/search` (teachers, admins): the typeahead. */
  search: (query: QueryOf<'/api/v1/users/search'>) => ok(client.GET('/api/v1/users/search', { params: { query } })),
  /** The link of `GET /users/export` (a CSV file) for a query string without `?` (see usersQuery in lib/directory). */
  exportUrl: (query: string) => `${API_PREFIX}/users/export${query ? `?${query}` : ''}`,
  create: (body: CreateUserRequest) => ok(client.POST('/api/v1/users', { body })),
  setRole: (id: string, role: Role) => ok(client.PUT('/api/v1/users/{user_id}/role', { ...user(id), body: { role } })),
  setActive: (id: string, active: boolean) => ok(client.PUT('/api/v1/users/{user_id}/active', { ...user(id), body: { active } })),
  /** `POST /users/active`: one outcome per account. */
  setActiveMany: (userIds: string[], active: boolean) => ok(client.POST('/api/v1/users/active', { body: { user_ids: userIds, active } })),
  updateProfile: (id: string, body: ProfileRequest) => ok(client.PUT('/api/v1/users/{user_id}/profile', { ...user(id), body })),
  /** `PUT /users/{id}/password`: own (with the current one) or, for an admin, anyone's. */
  setPassword: (id: string, password: string, currentPassword?: string | null) =>
    done(client.PUT('/api/v1/users/{user_id}/password', { ...user(id), body: { password, current_password: currentPassword } })),
}
