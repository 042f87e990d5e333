// The dashboards (tag `dashboard`; a course's statistics are in the courses module).
import { client, ok } from './client'
import type { QueryOf } from './types'

export const dashboard = {
  /** `GET /dashboard/student`: next steps, progress, deadlines, webinars, grades, badges. */
  student: () => ok(client.GET('/api/v1/dashboard/student')),
  /** `GET /dashboard/staff`: the grading queue, webinars and numbers per course. */
  staff: () => ok(client.GET('/api/v1/dashboard/staff')),
  /**
   * `GET /dashboard/groups` (staff): the groups the caller mentors or whose course they own, each with
   * the students falling behind (overdue homework, or nothing done for `inactive_days` days, default 7).
   */
  groups: (query: QueryOf<'/api/v1/dashboard/groups'> = {}) => ok(client.GET('/api/v1/dashboard/groups', { params: { query } })),
}
