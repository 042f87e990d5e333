//! Assigning assistants to a course.

use super::*;

impl CourseService {
    // ---- assistants ----

    /// Assigns an active assistant or teacher (not the owner) to check
    /// homework in the course.
    pub async fn add_assistant(
        &self,
        actor: &Actor,
        course_id: CourseId,
        user_id: UserId,
    ) -> Result<(), AssistantError> {
        let course = self.managed(actor, course_id).await?.into_course();
        if user_id == course.owner_id {
            return Err(AssistantError::IsOwner);
        }
        let user = self
            .users
            .get_user(user_id)
            .await?
            .ok_or(AssistantError::UserNotFound)?;
        if !user.active {
            return Err(AssistantError::UserInactive);
        }
        if !matches!(user.role, Role::Assistant | Role::Teacher) {
            return Err(AssistantError::NotStaff);
        }
        match self.courses.add_assistant(course_id, user_id).await {
            Ok(()) => Ok(()),
            Err(StorageError::Conflict(Conflict::Assistant)) => {
                Err(AssistantError::AlreadyAssistant)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Unassigns an assistant, and takes them off the mentor lists of the
    /// course's groups; returns whether they were assigned.
    pub async fn remove_assistant(
        &self,
        actor: &Actor,
        course_id: CourseId,
        user_id: UserId,
    ) -> Result<bool, ManageCourseError> {
        self.managed(actor, course_id).await?;
        let removed = self.courses.remove_assistant(course_id, user_id).await?;
        if removed {
            self.drop_mentor(course_id, user_id).await?;
        }
        Ok(removed)
    }

    /// The course's assistants (owner and admins).
    pub async fn list_assistants(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<User>, CourseAccessError> {
        self.managed(actor, course_id).await?;
        let ids = self.courses.list_assistants(course_id).await?;
        let mut users = self.users.get_users(&ids).await?;
        // Keep the store's order of assistants.
        users.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
        Ok(users)
    }
}
