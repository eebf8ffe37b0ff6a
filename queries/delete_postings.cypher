// Retention: expired postings go with their requirement and occupation links.
UNWIND $ids AS id
MATCH (p:Posting {id: id})
DETACH DELETE p
RETURN count(*) AS deleted
