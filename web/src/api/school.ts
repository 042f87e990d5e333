// The school this server runs (tag `school`, no login needed).
import { client, ok } from './client'

export const schoolApi = {
  /** `GET /school`: name, logo and whether self-registration is open. */
  get: () => ok(client.GET('/api/v1/school')),
}
