// Lessons and a student's way through them (tag `lessons`).
import { client, ok, done } from './client'
import type { LessonRequest } from './types'

const lesson = (lesson_id: string) => ({ params: { path: { lesson_id } } })
const course = (course_id: string) => ({ params: { path: { course_id } } })

export const lessons = {
  /** `GET /courses/{id}/lessons` (drafts for the course's staff only). */
  list: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/lessons', course(courseId))),
  get: (id: string) => ok(client.GET('/api/v1/lessons/{lesson_id}', lesson(id))),
  create: (courseId: string, body: LessonRequest) => ok(client.POST('/api/v1/courses/{course_id}/lessons', { ...course(courseId), body })),
  update: (id: string, body: LessonRequest) => ok(client.PUT('/api/v1/lessons/{lesson_id}', { ...lesson(id), body })),
  remove: (id: string) => done(client.DELETE('/api/v1/lessons/{lesson_id}', lesson(id))),
  reorder: (courseId: string, lessonIds: string[]) =>
    ok(client.PUT('/api/v1/courses/{course_id}/lessons/order', { ...course(courseId), body: { lesson_ids: lessonIds } })),
  /** `GET /courses/{id}/my-progress`: the lessons a student opened (students only). */
  myProgress: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/my-progress', course(courseId))),
}
