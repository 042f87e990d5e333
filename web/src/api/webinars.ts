// Webinars (tag `webinars`).
import { client, ok } from './client'
import type { ScheduleWebinarRequest } from './types'

const webinar = (webinar_id: string) => ({ params: { path: { webinar_id } } })

export const webinars = {
  /** `GET /courses/{id}/webinars`: each with `can_manage`. */
  list: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/webinars', { params: { path: { course_id: courseId } } })),
  get: (id: string) => ok(client.GET('/api/v1/webinars/{webinar_id}', webinar(id))),
  /** `GET /webinar-providers`: the providers this server offers. */
  providers: () => ok(client.GET('/api/v1/webinar-providers')),
  schedule: (courseId: string, body: ScheduleWebinarRequest) =>
    ok(client.POST('/api/v1/courses/{course_id}/webinars', { params: { path: { course_id: courseId } }, body })),
  reschedule: (id: string, title: string, startsAt: string, durationMinutes: number) =>
    ok(client.PUT('/api/v1/webinars/{webinar_id}', { ...webinar(id), body: { title, starts_at: startsAt, duration_minutes: durationMinutes } })),
  cancel: (id: string) => ok(client.DELETE('/api/v1/webinars/{webinar_id}', webinar(id))),
}
