import type { ColumnType, Generated } from "kysely";

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ClassMaterialsTable {
  id: Generated<string>;
  room_id: string;
  title: string;
  file_name: string;
  source_type: "pdf" | "pptx" | "odp" | "docx";
  pages: number;
  size_bytes: number;
  storage_key: string;
  uploaded_by: string | null;
  created_at: DefaultTimestamp;
}

export interface MaterialTables {
  class_materials: ClassMaterialsTable;
}
