import type { Insertable, Selectable } from "kysely";
import type { DB } from "../db/index.js";
import type { ClassMaterialsTable } from "./tables.js";

export type MaterialRow = Selectable<ClassMaterialsTable>;
export type NewMaterial = Insertable<ClassMaterialsTable> & { id: string };

/** All SQL of class materials. */
export class MaterialsRepo {
  constructor(private readonly db: DB) {}

  async insert(material: NewMaterial): Promise<MaterialRow> {
    return this.db.insertInto("class_materials").values(material).returningAll().executeTakeFirstOrThrow();
  }

  async byId(roomId: string, materialId: string): Promise<MaterialRow | undefined> {
    return this.db.selectFrom("class_materials").selectAll().where("room_id", "=", roomId).where("id", "=", materialId).executeTakeFirst();
  }

  /** The class's materials, oldest first. */
  async ofRoom(roomId: string): Promise<MaterialRow[]> {
    return this.db.selectFrom("class_materials").selectAll().where("room_id", "=", roomId).orderBy("created_at").orderBy("id").execute();
  }

  /** Deletes the row; the row it was, or undefined when there was none. */
  async delete(roomId: string, materialId: string): Promise<MaterialRow | undefined> {
    return this.db.deleteFrom("class_materials").where("room_id", "=", roomId).where("id", "=", materialId).returningAll().executeTakeFirst();
  }
}
