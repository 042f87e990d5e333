// What `GET /api/v1/courses/{id}` answers a caller with this course role
// (`null`: an admin who is not a member), flags included, for the mocks.
import type { CourseRole, CourseView } from '../src/api/types'

export function courseView<C extends object>(course: C, role: CourseRole | null): Omit<CourseView, 'course'> & { course: C } {
  const status = (course as { status?: string }).status ?? 'published'
  return {
    course,
    role,
    can_manage: role === 'owner' || role === null,
    can_grade: role !== 'student',
    can_study: role === 'student' && status === 'published',
  }
}
