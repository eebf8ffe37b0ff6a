MERGE (f:Feedback {id: $props.id})
SET f = $props
