UNWIND $ids AS id
MATCH (p:Posting {id: id})
RETURN id, p.reqSkills AS skills, p.reqKinds AS kinds
