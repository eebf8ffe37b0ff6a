// Before re-linking a re-ingested CV: its skills and occupations are replaced, not merged.
UNWIND $ids AS id
MATCH (:Cv {id: id})-[r:HAS_SKILL|SEEKS|WORKED_AS]->()
DELETE r
