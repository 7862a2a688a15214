-- SAE decoder rows stored as vectors, so feature steering goes through the same vector_id path as any steering.
ALTER TABLE vectors DROP CONSTRAINT vectors_kind_check;
ALTER TABLE vectors ADD CONSTRAINT vectors_kind_check
    CHECK (kind IN ('direction', 'trait', 'orthogonalized', 'expression', 'sae_feature'));
