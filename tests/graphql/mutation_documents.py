"""Mutation documents more than one feature's tests post (the NUL-character contract
posts them all)."""

from tests.helpers import ERROR

# -------------------------------------------------------------------------- queues


CREATE_QUEUE = f"""mutation($name: String!) {{ createQueue(input: {{name: $name}}) {{
  __typename ... on Queue {{ id name inboxes {{ id }} }} {ERROR} }} }}"""


# --------------------------------------------------------------------------- users


CREATE_USER = f"""mutation($input: CreateUserInput!) {{ createUser(input: $input) {{
  __typename ... on User {{ id email username fullName role isActive
  organization {{ id }} }}
  {ERROR} }} }}"""


# -------------------------------------------------------------------------- emails


UPDATE_EMAIL = f"""mutation($input: UpdateEmailInput!) {{ updateEmail(input: $input) {{
  __typename ... on Email {{ id labels metadata status unread externalId dismissedAt }}
  {ERROR} }} }}"""


# ----------------------------------------------------------------------- templates


TEMPLATE_FIELDS = "id name subject message queue { id } stats { timesUsed lastUsedAt }"

CREATE_TEMPLATE = f"""mutation($input: CreateEmailTemplateInput!) {{
  createEmailTemplate(input: $input) {{
    __typename ... on EmailTemplate {{ {TEMPLATE_FIELDS} }} {ERROR} }} }}"""
