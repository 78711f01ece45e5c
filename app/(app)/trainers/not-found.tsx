import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Trainers" back={{ href: "/", label: "Overview" }} />;
}
