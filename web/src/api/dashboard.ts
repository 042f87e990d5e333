// The dashboards (tag `dashboard`; a course's statistics are in the courses module).
import { client, ok } from './client'

export const dashboard = {
  /** `GET /dashboard/student`: next steps, progress, deadlines, webinars, grades, badges. */
  student: () => ok(client.GET('/api/v1/dashboard/student')),
  /** `GET /dashboard/staff`: the grading queue, webinars and numbers per course. */
  staff: () => ok(client.GET('/api/v1/dashboard/staff')),
}
