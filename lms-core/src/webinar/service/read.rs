//! Showing webinars: one, or a course's.

use super::*;

impl WebinarService {
    /// One webinar. Students of the course see it only while it is
    /// scheduled, and never its host link; staff see everything.
    pub async fn get_webinar(
        &self,
        actor: &Actor,
        id: WebinarId,
    ) -> Result<WebinarView, ViewWebinarError> {
        let webinar = self
            .webinars
            .get_webinar(id)
            .await?
            .ok_or(ViewWebinarError::WebinarNotFound)?;
        let Some(course) = self.courses.get_course(webinar.course_id).await? else {
            return Err(ViewWebinarError::WebinarNotFound);
        };
        let access = self.access(actor, &course).await?;
        if !access.can_view() {
            return Err(ViewWebinarError::WebinarNotFound);
        }
        view(webinar, &access).ok_or(ViewWebinarError::WebinarNotFound)
    }

    /// The webinars of a course by start. Students of the course see the
    /// scheduled ones without host links; staff see all, cancelled included.
    pub async fn list_course_webinars(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<WebinarView>, ViewWebinarError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ViewWebinarError::CourseNotFound)?;
        let access = self.access(actor, &course).await?;
        if !access.can_view() {
            return Err(ViewWebinarError::CourseNotFound);
        }
        let webinars = self.webinars.list_course_webinars(course.id).await?;
        Ok(webinars
            .into_iter()
            .filter_map(|w| view(w, &access))
            .collect())
    }
}
