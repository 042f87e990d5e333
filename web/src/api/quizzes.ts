// Quizzes, their questions and attempts (tag `quizzes`).
import { client, ok, done } from './client'
import type { Answer, QueryOf, QuestionRequest, QuizRequest } from './types'

const quiz = (quiz_id: string) => ({ params: { path: { quiz_id } } })
const attempt = (attempt_id: string) => ({ params: { path: { attempt_id } } })

export const quizzes = {
  /** `GET /courses/{id}/quizzes`: each with the caller's attempts and score. */
  list: (courseId: string) => ok(client.GET('/api/v1/courses/{course_id}/quizzes', { params: { path: { course_id: courseId } } })),
  get: (id: string) => ok(client.GET('/api/v1/quizzes/{quiz_id}', quiz(id))),
  create: (courseId: string, body: QuizRequest) => ok(client.POST('/api/v1/courses/{course_id}/quizzes', { params: { path: { course_id: courseId } }, body })),
  update: (id: string, body: QuizRequest) => ok(client.PUT('/api/v1/quizzes/{quiz_id}', { ...quiz(id), body })),
  setPublished: (id: string, published: boolean) => ok(client.PUT('/api/v1/quizzes/{quiz_id}/published', { ...quiz(id), body: { published } })),
  questions: (id: string) => ok(client.GET('/api/v1/quizzes/{quiz_id}/questions', quiz(id))),
  addQuestion: (id: string, body: QuestionRequest) => ok(client.POST('/api/v1/quizzes/{quiz_id}/questions', { ...quiz(id), body })),
  updateQuestion: (id: string, questionId: string, body: QuestionRequest) =>
    ok(client.PUT('/api/v1/quizzes/{quiz_id}/questions/{question_id}', { params: { path: { quiz_id: id, question_id: questionId } }, body })),
  deleteQuestion: (id: string, questionId: string) =>
    done(client.DELETE('/api/v1/quizzes/{quiz_id}/questions/{question_id}', { params: { path: { quiz_id: id, question_id: questionId } } })),
  reorderQuestions: (id: string, questionIds: string[]) =>
    ok(client.PUT('/api/v1/quizzes/{quiz_id}/questions/order', { ...quiz(id), body: { question_ids: questionIds } })),
  /** `GET /quizzes/{id}/attempts` (staff): each naming its student, found by the student's name or e-mail, a page at a time. */
  attempts: (id: string, query: QueryOf<'/api/v1/quizzes/{quiz_id}/attempts'> = {}) =>
    ok(client.GET('/api/v1/quizzes/{quiz_id}/attempts', { params: { path: { quiz_id: id }, query } })),
  /** `POST /quizzes/{id}/attempts`: starts (or resumes) the caller's attempt. */
  start: (id: string) => ok(client.POST('/api/v1/quizzes/{quiz_id}/attempts', quiz(id))),
  attempt: (attemptId: string) => ok(client.GET('/api/v1/attempts/{attempt_id}', attempt(attemptId))),
  /** `PUT /attempts/{id}/answers`: the changed answers by question id (autosave). */
  saveAnswers: (attemptId: string, answers: Record<string, Answer>) =>
    ok(client.PUT('/api/v1/attempts/{attempt_id}/answers', { ...attempt(attemptId), body: { answers } })),
  submit: (attemptId: string) => ok(client.POST('/api/v1/attempts/{attempt_id}/submit', { ...attempt(attemptId), body: {} })),
  review: (attemptId: string) => ok(client.GET('/api/v1/attempts/{attempt_id}/review', attempt(attemptId))),
  gradeEssay: (attemptId: string, questionId: string, points: number) =>
    ok(client.POST('/api/v1/attempts/{attempt_id}/essay-grades', { ...attempt(attemptId), body: { question_id: questionId, points } })),
  /** `GET /grading-queue/essays` (staff): finished attempts with essays waiting for a grade, scoped like the homework queue. */
  essayQueue: (query: QueryOf<'/api/v1/grading-queue/essays'> = {}) => ok(client.GET('/api/v1/grading-queue/essays', { params: { query } })),
  /** `GET /quizzes/{id}/analysis` (course staff): item analysis of the finished attempts. */
  analysis: (id: string) => ok(client.GET('/api/v1/quizzes/{quiz_id}/analysis', quiz(id))),
  /** `GET /quizzes/{id}/analysis/csv`: the same as a CSV file's text, one row per question. */
  analysisCsv: (id: string) => ok(client.GET('/api/v1/quizzes/{quiz_id}/analysis/csv', { ...quiz(id), parseAs: 'text' })),
}
